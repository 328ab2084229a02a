"""The compiler: turns a logical ``Network`` into a legal, placed ``ChipModel`` and reports its cost.

It runs nothing; it imports the ``Network`` (from corelets) and the ``ChipModel`` (from runtime).
"""
