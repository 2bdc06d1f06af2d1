"""Tenants: one ledger per tenant in a store of its own, chosen by the API key.

registry.py      the ``sl_tenants`` table of the home store: name → store (URL masked)
provision.py     creating a tenant's store (database or directory), schema and first key
compositions.py  one Ledger + ReadModels + FeedService per store; ``Tenancy`` finds them
"""
