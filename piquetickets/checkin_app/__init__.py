"""The door staff's check-in web app at ``/checkin/?token=…`` (an interface app over the check-in API)."""
