"""Local servers that speak each marketplace's documented protocol (tests and the offline demo).

Independent parties: nothing here imports Django or our apps.
"""
