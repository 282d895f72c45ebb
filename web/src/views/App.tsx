/** The shell: session restore, navigation (hash routes; no token ever goes in a URL),
 * language toggle, and the one live socket that feeds every view. */
import { useEffect, useMemo, useState } from "preact/hooks";
import { currentUser, logout, onSessionChange, refresh } from "../auth";
import { api } from "../api";
import { type ConsoleConfig, DEFAULT_CONFIG, loadConfig } from "../config";
import { UiContext } from "../context";
import { FleetStore, type VehicleState } from "../fleet";
import { type Lang, translate } from "../i18n";
import { LiveSocket } from "../live";
import { AlertsView } from "./AlertsView";
import { DispatchView } from "./DispatchView";
import { FleetView } from "./FleetView";
import { HistoryView } from "./HistoryView";
import { LiveView } from "./LiveView";
import { Login } from "./Login";
import { OrdersView } from "./OrdersView";

const VIEWS = ["map", "alerts", "orders", "dispatch", "history", "fleet"] as const;
type View = (typeof VIEWS)[number];

function viewOfHash(): View {
  const name = location.hash.replace(/^#\/?/, "");
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : "map";
}

function initialLang(): Lang {
  const saved = localStorage.getItem("coldchain.lang"); // a preference, not a credential
  if (saved === "en" || saved === "ko") return saved;
  return navigator.language.startsWith("ko") ? "ko" : "en";
}

export function App() {
  const [user, setUser] = useState(currentUser());
  const [restoring, setRestoring] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const [lang, setLang] = useState<Lang>(initialLang);
  const [config, setConfig] = useState<ConsoleConfig>(DEFAULT_CONFIG);
  const [view, setView] = useState<View>(viewOfHash);
  const [live, setLive] = useState(false);
  const fleet = useMemo(() => new FleetStore(), []);

  useEffect(() => {
    void loadConfig().then(setConfig);
    const off = onSessionChange(() => {
      const now = currentUser();
      setUser((before) => {
        if (before && !now) setNotice(translate(lang, "session_over"));
        return now;
      });
    });
    void refresh().finally(() => setRestoring(false)); // a reload keeps the session via the cookie
    const onHash = () => setView(viewOfHash());
    addEventListener("hashchange", onHash);
    return () => {
      off();
      removeEventListener("hashchange", onHash);
    };
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem("coldchain.lang", lang);
  }, [lang]);

  useEffect(() => {
    if (!user) return;
    let cancelled = false;
    const socket = new LiveSocket(["vehicle_state", "alerts"], (channel, _key, data) => {
      if (channel === "vehicle_state") fleet.apply(data as unknown as VehicleState);
    });
    socket.onStatus = setLive;
    void loadFleet(fleet).then(() => !cancelled && socket.start());
    return () => {
      cancelled = true;
      socket.stop();
    };
  }, [user?.id]);

  const ui = { lang, config, fleet };
  const t = (key: Parameters<typeof translate>[1]) => translate(lang, key);
  if (restoring) return <main class="login" aria-busy="true" />;
  if (!user) {
    return (
      <UiContext.Provider value={ui}>
        <Login notice={notice} />
      </UiContext.Provider>
    );
  }
  return (
    <UiContext.Provider value={ui}>
      <header class="top">
        <strong class="brand">{t("title")}</strong>
        <nav aria-label="views">
          {VIEWS.map((v) => (
            <a href={`#/${v}`} aria-current={v === view ? "page" : undefined} key={v}>
              {t(v)}
            </a>
          ))}
        </nav>
        <span class={live ? "live on" : "live off"} role="status">{live ? t("live_on") : t("live_off")}</span>
        <span class="user">
          {user.name} ({user.role})
        </span>
        <button type="button" onClick={() => setLang(lang === "en" ? "ko" : "en")} lang={lang === "en" ? "ko" : "en"}>
          {t("language")}
        </button>
        <button type="button" onClick={() => void logout()}>{t("logout")}</button>
      </header>
      {view === "map" && <LiveView />}
      {view === "alerts" && <AlertsView />}
      {view === "orders" && <OrdersView />}
      {view === "dispatch" && <DispatchView />}
      {view === "history" && <HistoryView />}
      {view === "fleet" && <FleetView />}
    </UiContext.Provider>
  );
}

interface VehiclePage {
  vehicles: VehicleState[];
  next_cursor: string | null;
}

/** Every live state, page by page, before the socket adds changes on top. */
async function loadFleet(fleet: FleetStore): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: VehiclePage = await api<VehiclePage>(`/v1/vehicles?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    fleet.applyAll(page.vehicles);
    cursor = page.next_cursor;
  } while (cursor);
}
