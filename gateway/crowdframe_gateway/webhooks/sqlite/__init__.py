"""webhooks/sqlite"""
