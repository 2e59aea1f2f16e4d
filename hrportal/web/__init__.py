"""The web layer: pages that combine apps (the dashboard, the team calendar) and the header's navigation.

It sits above every domain app and may import any of them; none of them imports it (tests/test_layers.py).
"""
