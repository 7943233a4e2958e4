"""Simulacro: chaos and game-day drills for SageMaker observability."""
