/** What the gateway tells the console about itself (`GET /v1/console/config`, public). */
export interface ConsoleConfig {
  tile_url: string;
  tile_attribution: string;
  time_zone: string;
}

export const DEFAULT_CONFIG: ConsoleConfig = {
  tile_url: "",
  tile_attribution: "",
  time_zone: "Asia/Seoul",
};

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch("/v1/console/config");
    if (response.ok) return { ...DEFAULT_CONFIG, ...((await response.json()) as Partial<ConsoleConfig>) };
  } catch {
    // an older gateway: offline outline only
  }
  return DEFAULT_CONFIG;
}
