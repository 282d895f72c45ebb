import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type ConsoleConfig, DEFAULT_CONFIG } from "./config";
import { FleetStore } from "./fleet";
import { type Key, type Lang, formatTime, translate } from "./i18n";

export interface Ui {
  lang: Lang;
  config: ConsoleConfig;
  fleet: FleetStore;
}

export const UiContext = createContext<Ui>({ lang: "en", config: DEFAULT_CONFIG, fleet: new FleetStore() });

export function useUi() {
  const ui = useContext(UiContext);
  return {
    ...ui,
    t: (key: Key) => translate(ui.lang, key),
    time: (iso: string | null | undefined) => formatTime(iso, ui.lang, ui.config.time_zone),
  };
}
