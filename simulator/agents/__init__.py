"""Rep and Manager agents and the reps' vectorised decisions."""
