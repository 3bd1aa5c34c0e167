"""Many carriers' label documents as one PDF. The carriers' print pages are HTML (GHN printA5,
Viettel Post DigitalizePrint): each is laid out by WeasyPrint (no network: only our static
files may load) and their pages are printed together. A label already in PDF is used as is
when it is the only one; joining several PDFs is not supported yet."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from common.pdf import static_only_fetcher
from shipping.adapters.base import LabelDocument
from shipping.errors import ShippingError


def labels_combine(documents: Sequence[LabelDocument]) -> LabelDocument:
    import weasyprint

    if len(documents) == 1 and documents[0].content_type == "application/pdf":
        return documents[0]
    if any(d.content_type != "text/html" for d in documents):
        raise ShippingError(
            _("These labels come as separate PDF files: print them one carrier account at a time.")
        )
    rendered = [
        weasyprint.HTML(
            string=d.content.decode("utf-8", errors="replace"), url_fetcher=static_only_fetcher()
        ).render()
        for d in documents
    ]
    pages = [page for document in rendered for page in document.pages]
    pdf = rendered[0].copy(pages).write_pdf()
    return LabelDocument(content=pdf, content_type="application/pdf")
