"""In-app notifications (the bell) and e-mail, and the deadline reminders that send them."""
