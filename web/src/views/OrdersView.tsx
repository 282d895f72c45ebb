/** Orders: filters and paging over `GET /v1/orders`, file import with each rejected row and
 * its reason, cancel; an order's temperature record. Write controls only for principals with `orders:write`. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, postJson, query } from "../api";
import { can } from "../auth";
import { useUi } from "../context";
import { OrderRecord } from "./OrderRecord";

interface Order {
  order_id: string;
  order_number: string;
  status: string;
  zone: string;
  pallets: number;
  requested_date?: string;
  vehicle_id?: string | null;
  pickup: { site_id: string; window: { start: string } };
  dropoff: { site_id: string; window: { start: string } };
}

interface OrderPage {
  total: number;
  limit: number;
  offset: number;
  items: Order[];
}

interface ImportReport {
  rows: number;
  accepted_count: number;
  rejected_count: number;
  rejected: { line: number; reason: string }[];
}

const PAGE = 25;
const STATUSES = ["received", "accepted", "rejected", "planned", "assigned", "picked_up", "delivered", "cancelled", "failed"];
const CANCELLABLE = new Set(["received", "accepted", "planned", "assigned"]);

export function OrdersView() {
  const { t, time } = useUi();
  const writer = can("orders:write");
  const [filters, setFilters] = useState({ date: "", status: "", zone: "", site: "", q: "" });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<OrderPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [reload, setReload] = useState(0);
  const [opened, setOpened] = useState<string | null>(null);

  useEffect(() => {
    api<OrderPage>(`/v1/orders${query({ ...filters, limit: PAGE, offset })}`)
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((e: Error) => setError(e instanceof ApiError && e.forbidden ? t("forbidden") : e.message));
  }, [filters, offset, reload]);

  function applyFilters(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setFilters({
      date: String(form.get("date") ?? ""),
      status: String(form.get("status") ?? ""),
      zone: String(form.get("zone") ?? ""),
      site: String(form.get("site") ?? "").trim(),
      q: String(form.get("q") ?? "").trim(),
    });
    setOffset(0);
  }

  async function importFile(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    try {
      setReport(await api<ImportReport>("/v1/orders/import", { method: "POST", body: form }));
      setReload((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function cancel(order: Order) {
    try {
      await postJson(`/v1/orders/${order.order_id}/cancel`, { reason: "cancelled in the console" });
      setReload((n) => n + 1);
    } catch (e) {
      setError(e instanceof ApiError && e.forbidden ? t("forbidden") : (e as Error).message);
    }
  }

  return (
    <main class="page">
      <h1>{t("orders")}</h1>
      {!writer && <p class="notice">{t("read_only")}</p>}
      <form class="filters" onSubmit={applyFilters} aria-label="filters">
        <label>
          {t("date")} <input type="date" name="date" />
        </label>
        <label>
          {t("status")}
          <select name="status">
            <option value="">{t("all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          {t("zone")}
          <select name="zone">
            <option value="">{t("all")}</option>
            <option value="frozen">frozen</option>
            <option value="chilled">chilled</option>
            <option value="ambient">ambient</option>
          </select>
        </label>
        <label>
          {t("site")} <input name="site" maxLength={64} />
        </label>
        <label>
          {t("text")} <input name="q" type="search" maxLength={100} />
        </label>
        <button type="submit">{t("apply")}</button>
      </form>
      {writer && (
        <form class="import" onSubmit={importFile} aria-label={t("import")}>
          <label>
            {t("import")} <input type="file" name="file" accept=".csv,.xlsx" required />
          </label>
          <button type="submit" data-action="import">{t("import")}</button>
        </form>
      )}
      {report && (
        <section class="import-report" aria-labelledby="import-title" role="status">
          <h2 id="import-title">{t("import_result")}</h2>
          <p>
            {report.accepted_count} {t("accepted")}, {report.rejected_count} {t("rejected")}
          </p>
          {report.rejected.length > 0 && (
            <table class="data rejected-rows">
              <thead>
                <tr>
                  <th scope="col">{t("row")}</th>
                  <th scope="col">{t("reason")}</th>
                </tr>
              </thead>
              <tbody>
                {report.rejected.map((r) => (
                  <tr key={r.line}>
                    <td>{r.line}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {error && <p role="alert" class="error">{error}</p>}
      {page && (
        <>
          {opened && <OrderRecord orderId={opened} onClose={() => setOpened(null)} />}
          <table class="data" id="orders">
            <thead>
              <tr>
                <th scope="col">{t("number")}</th>
                <th scope="col">{t("status")}</th>
                <th scope="col">{t("zone")}</th>
                <th scope="col">{t("pallets")}</th>
                <th scope="col">{t("pickup")}</th>
                <th scope="col">{t("delivery")}</th>
                <th scope="col">{t("vehicle")}</th>
                {writer && <th scope="col"><span class="sr-only">{t("cancel")}</span></th>}
              </tr>
            </thead>
            <tbody>
              {page.items.map((o) => (
                <tr key={o.order_id}>
                  <td>
                    <button type="button" class="link" onClick={() => setOpened(o.order_id)} aria-label={`${t("temperature_record")} ${o.order_number}`}>
                      {o.order_number}
                    </button>
                  </td>
                  <td>{o.status}</td>
                  <td>{o.zone}</td>
                  <td>{o.pallets}</td>
                  <td>
                    {o.pickup.site_id} {time(o.pickup.window.start)}
                  </td>
                  <td>
                    {o.dropoff.site_id} {time(o.dropoff.window.start)}
                  </td>
                  <td>{o.vehicle_id ?? "–"}</td>
                  {writer && (
                    <td>
                      {CANCELLABLE.has(o.status) && (
                        <button type="button" onClick={() => void cancel(o)} aria-label={`${t("cancel")} ${o.order_number}`}>
                          {t("cancel")}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label={t("page")}>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t("previous")}
            </button>
            <span>
              {page.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, page.total)} / {page.total}
            </span>
            <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
              {t("next")}
            </button>
          </nav>
        </>
      )}
    </main>
  );
}
