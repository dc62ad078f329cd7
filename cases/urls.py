"""The cases' pages, one module a part of the product (cases/pages/)."""

from cases.pages import board, detail, field, figures, hotline, inbox, keys

app_name = "cases"

urlpatterns = [
    *field.urlpatterns,
    *detail.urlpatterns,
    *board.urlpatterns,
    *inbox.urlpatterns,
    *figures.urlpatterns,
    *keys.urlpatterns,
    *hotline.urlpatterns,
]
