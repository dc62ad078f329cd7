"""Alliances (党建联盟, 社区联合党委, 大工委/大党委): member units under agreements with responsibility lists,
posts and the four roles, the rotating chair, joint meetings whose resolutions become tracked work,
themed activities, the alliance board, and leaders linked to communities (docs/ALLIANCES.md)."""
