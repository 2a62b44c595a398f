"""The school calendars over JSON: admins import them, leads, district leaders and auditors
read them."""
