"""Settings shared by every suite."""

from hypothesis import HealthCheck, settings

# Timings never decide a test (the machine is shared and may be busy): no per-example deadline,
# and slow data generation is no failure.
settings.register_profile("wa-handoff", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("wa-handoff")
