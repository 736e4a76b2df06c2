"""webhooks/redis"""
