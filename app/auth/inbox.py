"""The inbox: notifications of the logged-in user."""
