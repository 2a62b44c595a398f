"""The healing-centered frame: stakeholder groups and components of change (docs/domain.md)."""

STAKEHOLDER_GROUPS: dict[str, str] = {
    "schools-and-staff": "Schools and school staff",
    "all-staff": "All staff (their own wellness)",
    "families-and-communities": "Families and communities",
    "students": "Students",
}

COMPONENTS: dict[str, str] = {
    "education-and-awareness": "Education and awareness",
    "skills-and-strategies": "Skills and strategies",
    "culture-and-climate": "Culture and climate",
    "resources": "Resources",
    "crisis-support": "Crisis support",
}
