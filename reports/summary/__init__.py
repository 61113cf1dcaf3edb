"""The half-year summary (半年工作总结): templates with placeholders, preview, Word/PDF/Excel exports."""
