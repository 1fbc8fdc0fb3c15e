"""REST routes of the registry (FastAPI), mounted under ``/api``.

No ``from __future__ import annotations`` here: FastAPI reads the request-model
annotations of the generated endpoints at definition time.
"""

import datetime as dt
import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import select, text

from sclerostem.api._cells import add_cell_routes
from sclerostem.api._schemas import CREATE_MODELS, UPDATE_MODELS, TokenRequest
from sclerostem.errors import InputError, InputTypeError
from sclerostem.registry import (
    AccessDeniedError,
    AuditTamperError,
    ConflictError,
    Database,
    NotFoundError,
    Patient,
    User,
    add_diagnosis,
    add_event,
    add_transplant,
    add_treatment,
    add_visit,
    authenticate,
    can_read_patient,
    candidacy_input,
    cohort,
    create_api_token,
    create_cell_lot,
    create_patient,
    delete_record,
    get_patient,
    get_record,
    list_patients,
    patient_history,
    patient_summary,
    record_to_dict,
    revoke_api_tokens,
    sees_identifying,
    update_record,
    user_for_token,
)
from sclerostem.registry._auth import hash_token
from sclerostem.registry.models import CellLot

__all__ = ["ApiError", "build_router", "create_api_app", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

_MAX_ID = 2**31 - 1
#: seconds a verified bearer token is trusted without a database lookup
TOKEN_CACHE_SECONDS = 10.0
PatientCreate = CREATE_MODELS["patient"]
PatientUpdate = UPDATE_MODELS["patient"]
CellLotCreate = CREATE_MODELS["cell_lot"]
IdPath = Annotated[int, Path(ge=1, le=_MAX_ID)]


class ApiError(Exception):
    """An HTTP error with a JSON body ``{"detail": ...}``."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def _json_error(status: int, detail: str, extra: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, **(extra or {})}, status_code=status, headers=headers)


_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (AccessDeniedError, 403), (AuditTamperError, 403), (NotFoundError, 404), (ConflictError, 409),
    (InputError, 422), (InputTypeError, 422),
)


def error_response(exc: Exception) -> JSONResponse | None:
    """The JSON response for a registry/API error, or ``None`` for anything else."""
    if isinstance(exc, ApiError):
        return _json_error(exc.status, exc.detail, headers=exc.headers)
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            extra = {"field": exc.field} if isinstance(exc, InputError | InputTypeError) else None
            return _json_error(status, str(exc), extra)
    return None


class _MappedErrorsRoute(APIRoute):
    """Route class turning registry errors into JSON responses inside the router itself,
    so the router works in any app without app-level exception handlers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def mapped(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                resp = error_response(exc)
                if resp is None:
                    raise
                return resp

        return mapped


def install_error_handlers(app: FastAPI) -> None:
    """Map registry errors to HTTP statuses (422, 403, 404, 409, 401)."""

    @app.exception_handler(ApiError)
    async def _api(_r: Request, exc: ApiError) -> JSONResponse:
        return _json_error(exc.status, exc.detail, headers=exc.headers)

    @app.exception_handler(InputError)
    async def _inp(_r: Request, exc: InputError) -> JSONResponse:
        return _json_error(422, str(exc), {"field": exc.field})

    @app.exception_handler(InputTypeError)
    async def _typ(_r: Request, exc: InputTypeError) -> JSONResponse:
        return _json_error(422, str(exc), {"field": exc.field})

    @app.exception_handler(AccessDeniedError)
    async def _den(_r: Request, exc: AccessDeniedError) -> JSONResponse:
        return _json_error(403, str(exc))

    @app.exception_handler(AuditTamperError)
    async def _tam(_r: Request, exc: AuditTamperError) -> JSONResponse:
        return _json_error(403, str(exc))

    @app.exception_handler(NotFoundError)
    async def _nf(_r: Request, exc: NotFoundError) -> JSONResponse:
        return _json_error(404, str(exc))

    @app.exception_handler(ConflictError)
    async def _conf(_r: Request, exc: ConflictError) -> JSONResponse:
        return _json_error(409, str(exc))


_PLURAL = {"diagnosis": "diagnoses", "visit": "visits", "treatment": "treatments",
           "transplant": "transplants", "event": "events"}
_ADDERS: dict[str, Callable[..., Any]] = {
    "diagnosis": add_diagnosis, "visit": add_visit, "treatment": add_treatment,
    "transplant": add_transplant, "event": add_event,
}
_UNAUTH = {"WWW-Authenticate": "Bearer"}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "not authenticated"}, 403: {"description": "role does not allow it"},
    404: {"description": "not found"}, 409: {"description": "conflict"},
    422: {"description": "invalid input"},
}


def build_router(db: Database) -> APIRouter:
    """The registry's REST routes for ``db``; mount with ``app.include_router(r, prefix="/api")``.

    Authentication: ``Authorization: Bearer <token>`` (tokens from
    ``POST /api/tokens`` or ``sclerostem user token``), or a signed-in web
    session (``request.session["user_id"]``, set by the web app). Every route
    except ``GET /health`` and ``POST /tokens`` answers 401 without it.
    Registry errors become JSON error responses inside the router (its route class), so
    the router needs no app-level handlers; :func:`install_error_handlers` is for
    errors raised outside it (e.g. by app middleware).
    """

    tokens = _TokenCache()
    summaries = _SummaryCache(enabled=db.audit_stamp_is_exact)

    def _lookup_user(request: Request, auth: str) -> User | None:
        with db.read_session() as s:
            if auth.lower().startswith("bearer "):
                token = auth[7:].strip()
                user = user_for_token(s, token)
                if user is not None:
                    s.expunge(user)
                    tokens.put(token, user)
                return user
            # a web session authorises only safe methods (no CSRF protection on this API)
            if "session" in request.scope and request.method in ("GET", "HEAD"):
                uid = request.session.get("user_id")
                if isinstance(uid, int):
                    u = s.get(User, uid)
                    if u is not None and u.active:
                        s.expunge(u)
                        return u
        return None

    async def current_user(request: Request) -> User:
        auth = request.headers.get("authorization", "")
        user = tokens.get(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
        if user is None:
            user = await run_in_threadpool(_lookup_user, request, auth)
        if user is None:
            raise ApiError(401, "not authenticated: send 'Authorization: Bearer <token>'", _UNAUTH)
        return user

    Actor = Annotated[User, Depends(current_user)]
    r = APIRouter(responses=_RESPONSES, route_class=_MappedErrorsRoute)

    def _reattach(s: Any, actor: User) -> User:
        return s.merge(actor, load=False)

    @r.get("/health", tags=["meta"], summary="Liveness and database check (no authentication)")
    def health() -> dict[str, Any]:
        try:
            with db.read_session() as s:
                s.execute(text("SELECT 1"))
            return {"status": "ok", "database": "ok"}
        except Exception:
            log.exception("health check: database unavailable")
            raise ApiError(503, "database unavailable") from None

    @r.post("/tokens", tags=["auth"], status_code=201, summary="Exchange username/password for a token")
    def token(body: TokenRequest) -> dict[str, Any]:
        with db.session() as s:
            user = authenticate(s, body.username, body.password)
            if user is None:
                raise ApiError(401, "wrong username or password", _UNAUTH)
            tok = create_api_token(s, user, body.name, expires_days=body.expires_days)
            return {"token": tok, "token_type": "bearer", "username": user.username, "role": user.role}

    @r.delete("/tokens/current", tags=["auth"], status_code=204,
              summary="Revoke the bearer token used for this request")
    def revoke_current(actor: Actor, request: Request) -> None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise ApiError(400, "this request was not authenticated with a bearer token")
        token = auth[7:].strip()
        with db.session() as s:
            revoke_api_tokens(s, _reattach(s, actor), token=token)
        tokens.drop(token)

    @r.get("/me", tags=["auth"])
    def me(actor: Actor) -> dict[str, Any]:
        return {"id": actor.id, "username": actor.username, "role": actor.role, "centre": actor.centre}

    # ---------------------------------------------------------------- patients
    @r.get("/patients", tags=["patients"], summary="List patients visible to you")
    def patients(
        actor: Actor,
        search: Annotated[str | None, Query(max_length=100)] = None,
        subset: Annotated[str | None, Query(max_length=40)] = None,
        disease: Annotated[str | None, Query(max_length=40)] = None,
        transplanted: bool | None = None,
        centre: Annotated[str | None, Query(max_length=80)] = None,
        limit: Annotated[int | None, Query(ge=1, le=10000)] = None,
        offset: Annotated[int, Query(ge=0, le=_MAX_ID)] = 0,
    ) -> list[dict[str, Any]]:
        with db.read_session() as s:
            return list_patients(s, _reattach(s, actor), search=search, subset=subset,
                                 transplanted=transplanted, disease=disease, centre=centre,
                                 limit=limit, offset=offset)

    @r.post("/patients", tags=["patients"], status_code=201)
    def new_patient(actor: Actor, body: PatientCreate) -> dict[str, Any]:  # type: ignore[valid-type]
        with db.session() as s:
            p = create_patient(s, _reattach(s, actor), **body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
            return record_to_dict(p)

    def _stamp() -> int:
        with db.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT MAX(id) FROM audit_entries").scalar() or 0)

    def _build_summary(actor: User, patient_id: int, stamp: int) -> bytes:
        with db.read_session() as s:
            summary = patient_summary(s, _reattach(s, actor), patient_id)
            admin_view = User(username="-", role="admin", centre=None, active=True)
            research_view = User(username="-", role="researcher", centre=None, active=True)
            full = summary if summary["identifying_visible"] else patient_summary(s, admin_view, patient_id)
            pseudo = patient_summary(s, research_view, patient_id) if summary["identifying_visible"] else summary
        full_b, pseudo_b = _dumps(full), _dumps(pseudo)
        summaries.put(patient_id, stamp, (summary["patient"]["centre"], full_b, pseudo_b))
        return full_b if summary["identifying_visible"] else pseudo_b

    @r.get("/patients/{patient_id}", tags=["patients"], summary="Patient summary (all records)",
           response_class=JSONResponse)
    async def patient(actor: Actor, patient_id: IdPath) -> Response:
        stamp = _stamp()  # one indexed MAX() on the audit table: cheap enough for the event loop
        hit = summaries.get(patient_id, stamp)
        if hit is None:
            body = await run_in_threadpool(_build_summary, actor, patient_id, stamp)
            return Response(body, media_type="application/json")
        centre, full, pseudo = hit
        probe = Patient(centre=centre)
        if not can_read_patient(actor, probe):
            raise NotFoundError("patient", patient_id)
        return Response(full if sees_identifying(actor, probe) else pseudo, media_type="application/json")

    @r.patch("/patients/{patient_id}", tags=["patients"])
    def patch_patient(actor: Actor, patient_id: IdPath, body: PatientUpdate) -> dict[str, Any]:  # type: ignore[valid-type]
        data = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        with db.session() as s:
            a = _reattach(s, actor)
            p = update_record(s, a, "patient", patient_id, **data)
            return record_to_dict(p)

    @r.delete("/patients/{patient_id}", tags=["patients"], status_code=204)
    def del_patient(actor: Actor, patient_id: IdPath) -> None:
        with db.session() as s:
            delete_record(s, _reattach(s, actor), "patient", patient_id)

    @r.get("/patients/{patient_id}/history", tags=["audit"], summary="Audit trail of a patient")
    def history(actor: Actor, patient_id: IdPath) -> list[dict[str, Any]]:
        with db.read_session() as s:
            return patient_history(s, patient_id, actor=_reattach(s, actor))

    @r.get("/patients/{patient_id}/candidacy", tags=["patients"],
           summary="HSCT candidacy assessment (sclerostem.rules): latest recorded value of each measure, "
                   "with the visit each came from (input_origin) and values the engine refused (input_refused)")
    def candidacy(actor: Actor, patient_id: IdPath) -> dict[str, Any]:
        try:
            rules = importlib.import_module("sclerostem.rules")
            assess = rules.assess
        except (ImportError, AttributeError):
            raise ApiError(501, "candidacy assessment is not available in this installation") from None
        with db.read_session() as s:
            a = _reattach(s, actor)
            summary = patient_summary(s, a, patient_id)
            dob = get_patient(s, a, patient_id).date_of_birth
        ci = candidacy_input(summary, date_of_birth=dob)
        result = assess(ci.fields)
        out = result.to_dict()
        out["input"] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in ci.fields.items()}
        out["input_origin"] = dict(ci.origin)
        out["input_refused"] = dict(ci.refused)
        return out

    # ------------------------------------------------------- child entities
    for entity, plural in _PLURAL.items():
        _child_routes(r, db, entity, plural, Actor, _reattach)

    @r.get("/visits/{record_id}/scores", tags=["visits"], summary="Computed scores of a visit")
    def visit_scores(actor: Actor, record_id: IdPath) -> dict[str, Any]:
        with db.read_session() as s:
            v = get_record(s, _reattach(s, actor), "visit", record_id)
            return {"visit_id": v.id, "visit_date": v.visit_date.isoformat(), "mrss_total": v.mrss_total,
                    "scores": v.scores or {}, "engine_version": v.scores_engine_version}

    # ------------------------------------------------------------- cell lots
    @r.get("/cell-lots", tags=["cell lots"])
    def cell_lots(actor: Actor) -> list[dict[str, Any]]:
        with db.read_session() as s:
            a = _reattach(s, actor)
            out = []
            for lot in s.execute(select(CellLot).order_by(CellLot.id)).scalars():
                if lot.patient_id is not None:
                    try:
                        get_patient(s, a, lot.patient_id)
                    except NotFoundError:
                        continue
                out.append(record_to_dict(lot, identifying=sees_identifying(a)))
            return out

    @r.post("/cell-lots", tags=["cell lots"], status_code=201)
    def new_cell_lot(actor: Actor, body: CellLotCreate,  # type: ignore[valid-type]
                     patient_id: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None) -> dict[str, Any]:
        with db.session() as s:
            lot = create_cell_lot(s, _reattach(s, actor), patient_id,
                                  **body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
            return record_to_dict(lot)

    _record_routes(r, db, "cell_lot", "cell-lots", Actor, _reattach)

    # ---------------------------------------------------------------- cohort
    @r.get("/cohort", tags=["cohort"],
           summary="Cohort query, e.g. ?disease=ssc&subset=dcSSc&transplanted=true&min_follow_up_months=54")
    def cohort_query(
        actor: Actor,
        disease: Annotated[str | None, Query(max_length=40)] = None,
        subset: Annotated[str | None, Query(max_length=40)] = None,
        transplanted: bool | None = None,
        min_follow_up_months: Annotated[float | None, Query(ge=0, le=1200)] = None,
        centre: Annotated[str | None, Query(max_length=80)] = None,
    ) -> dict[str, Any]:
        with db.read_session() as s:
            rows = cohort(s, _reattach(s, actor), disease=disease, subset=subset,
                          transplanted=transplanted, min_follow_up_months=min_follow_up_months,
                          centre=centre)
        return {"count": len(rows), "patients": rows}

    add_cell_routes(r, db, Actor, _reattach)  # /cell-products (api._cells)
    return r


class _TokenCache:
    """Bearer token -> user, kept for :data:`TOKEN_CACHE_SECONDS` (a revoked token stops
    working within that time). Only the token's SHA-256 digest is used as key."""

    def __init__(self) -> None:
        self._d: dict[str, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> User | None:
        key = hash_token(token)
        with self._lock:
            hit = self._d.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def drop(self, token: str) -> None:
        with self._lock:
            self._d.pop(hash_token(token), None)

    def put(self, token: str, user: User) -> None:
        with self._lock:
            if len(self._d) > 10000:
                self._d.clear()
            self._d[hash_token(token)] = (time.monotonic() + TOKEN_CACHE_SECONDS, user)


class _SummaryCache:
    """Serialised patient summaries, valid while the audit trail has not grown.

    Every change to registry data writes an audit row in the same transaction,
    so ``max(audit_entries.id)`` is a change counter for the whole registry:
    a cached summary is used only if no change has been committed since it
    was built. Both views (with and without identifying fields) are kept; the
    caller's role and centre are checked on every request.
    """

    def __init__(self, max_entries: int = 20000, *, enabled: bool = True) -> None:
        self._d: dict[int, tuple[int, tuple[str, bytes, bytes]]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self.enabled = enabled  # off where the audit stamp is not exact (PostgreSQL)

    def get(self, patient_id: int, stamp: int) -> tuple[str, bytes, bytes] | None:
        if not self.enabled:
            return None
        with self._lock:
            hit = self._d.get(patient_id)
        return hit[1] if hit is not None and hit[0] == stamp else None

    def put(self, patient_id: int, stamp: int, value: tuple[str, bytes, bytes]) -> None:
        if not self.enabled:
            return
        with self._lock:
            if len(self._d) >= self._max:
                self._d.clear()
            self._d[patient_id] = (stamp, value)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _child_routes(r: APIRouter, db: Database, entity: str, plural: str, Actor: Any,
                  reattach: Callable[[Any, User], User]) -> None:
    create_model = CREATE_MODELS[entity]
    adder = _ADDERS[entity]

    def list_children(actor: Actor, patient_id: IdPath) -> list[dict[str, Any]]:
        with db.read_session() as s:
            return patient_summary(s, reattach(s, actor), patient_id)[plural]

    def add_child(actor: Actor, patient_id: IdPath, body: create_model) -> dict[str, Any]:  # type: ignore[valid-type]
        with db.session() as s:
            obj = adder(s, reattach(s, actor), patient_id, **body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
            return record_to_dict(obj)

    r.add_api_route(f"/patients/{{patient_id}}/{plural}", list_children, methods=["GET"],
                    tags=[plural], name=f"list_{plural}")
    r.add_api_route(f"/patients/{{patient_id}}/{plural}", add_child, methods=["POST"],
                    tags=[plural], status_code=201, name=f"add_{entity}")
    _record_routes(r, db, entity, plural, Actor, reattach)


def _record_routes(r: APIRouter, db: Database, entity: str, plural: str, Actor: Any,
                   reattach: Callable[[Any, User], User]) -> None:
    update_model = UPDATE_MODELS[entity]

    def get_one(actor: Actor, record_id: IdPath) -> dict[str, Any]:
        with db.read_session() as s:
            a = reattach(s, actor)
            return record_to_dict(get_record(s, a, entity, record_id), identifying=sees_identifying(a))

    def patch_one(actor: Actor, record_id: IdPath, body: update_model) -> dict[str, Any]:  # type: ignore[valid-type]
        data = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        with db.session() as s:
            obj = update_record(s, reattach(s, actor), entity, record_id, **data)
            return record_to_dict(obj)

    def delete_one(actor: Actor, record_id: IdPath) -> None:
        with db.session() as s:
            delete_record(s, reattach(s, actor), entity, record_id)

    base = f"/{plural}/{{record_id}}"
    r.add_api_route(base, get_one, methods=["GET"], tags=[plural], name=f"get_{entity}")
    r.add_api_route(base, patch_one, methods=["PATCH"], tags=[plural], name=f"update_{entity}")
    r.add_api_route(base, delete_one, methods=["DELETE"], tags=[plural], status_code=204,
                    name=f"delete_{entity}")


def create_api_app(db: Database) -> FastAPI:
    """A standalone FastAPI app: the router under ``/api`` plus ``GET /health``."""
    from sclerostem._version import __version__

    app = FastAPI(title="sclerostem registry API", version=__version__,
                  description="Registry of SSc/morphea patients treated with stem-cell therapy.")
    install_error_handlers(app)
    router = build_router(db)
    app.include_router(router, prefix="/api")

    @app.get("/health", tags=["meta"], summary="Liveness and database check (no authentication)")
    def health() -> dict[str, Any]:
        return router.routes[0].endpoint()  # type: ignore[attr-defined]

    return app
