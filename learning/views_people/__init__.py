"""Pages of the people half of stage 5: listening to staff and exploring trends."""
