"""The city tier (``gongjian demo-tier``): a benchmark city of millions, written through bulk paths
with the actions' rules. See demo/tier/build.py for the order of the steps."""
