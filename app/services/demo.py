"""Demo data (stub; being built)."""
DEMO_PASSWORD = "deskflow-demo"
DEMO_USERS = []


def seed_demo(tickets: int = 300):
    return []
