"""Chain of identity: a product is infused only into the patient it was made for."""

from __future__ import annotations

from sclerostem.cells._isbt128 import parse_din
from sclerostem.errors import InputError

__all__ = ["IdentityMismatchError", "check_infusion_identity"]


class IdentityMismatchError(InputError):
    """The product scanned at the bedside does not belong to this patient."""


def check_infusion_identity(*, product_din: str, product_patient_id: str, scanned_din: str,
                            recipient_patient_id: str, product_status: str = "released") -> str:
    """Refuse an infusion unless product, scan and recipient all match.

    Parameters
    ----------
    product_din : str
        DIN recorded for the product at collection/processing.
    product_patient_id : str
        Patient (autologous donor/recipient) the product was made for.
    scanned_din : str
        DIN scanned or keyed at the bedside (check character verified).
    recipient_patient_id : str
        Patient about to receive the product.
    product_status : str
        Must be ``"released"``.

    Returns
    -------
    str
        The verified DIN (eye-readable form).

    Raises
    ------
    IdentityMismatchError
        On any mismatch; nothing is to be infused.
    """
    recorded = parse_din(product_din)
    scanned = parse_din(scanned_din)
    if scanned.din != recorded.din:
        raise IdentityMismatchError("scanned_din", scanned_din, f"the DIN of this product ({recorded})")
    if recipient_patient_id != product_patient_id:
        raise IdentityMismatchError("recipient_patient_id", recipient_patient_id,
                                    f"the patient this product was made for ({product_patient_id}); infusion refused")
    if product_status != "released":
        raise IdentityMismatchError("product_status", product_status, "'released' (the lot has not passed release)")
    return str(recorded)
