"""Outreach: campaigns that invite residents to group sessions, and what they answer."""
