/**
 * The `/v1/live` WebSocket. The access token goes in the first frame (`{"type":"auth"}`),
 * never in the URL. The gateway closes a socket whose token expired or was revoked (4401):
 * the client then refreshes once and reconnects; other closes reconnect with backoff.
 */
import { accessToken, refresh } from "./auth";

export type Channel = "vehicle_state" | "alerts" | "assignments" | "orders";
export type LiveHandler = (channel: Channel, key: string, data: Record<string, unknown>) => void;

/** Reconnect delay: doubling from 0.5 s, capped at 15 s. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  connected = false;
  onStatus: (connected: boolean) => void = () => undefined;

  constructor(
    private readonly channels: Channel[],
    private readonly handler: LiveHandler,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "bye");
    this.socket = null;
  }

  private open(): void {
    const token = accessToken();
    if (!token || this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/v1/live`);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token }));
    socket.onmessage = (message) => this.receive(socket, String(message.data));
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  private receive(socket: WebSocket, text: string): void {
    const message = JSON.parse(text) as { type: string; channel?: Channel; key?: string; data?: Record<string, unknown> };
    if (message.type === "ready") {
      socket.send(JSON.stringify({ type: "subscribe", channels: this.channels }));
    } else if (message.type === "subscribed") {
      this.attempt = 0;
      this.setConnected(true);
    } else if (message.type === "event" && message.channel && message.data) {
      this.handler(message.channel, message.key ?? "", message.data);
    }
  }

  private async closed(socket: WebSocket, code: number): Promise<void> {
    if (socket !== this.socket) return;
    this.setConnected(false);
    if (this.stopped) return;
    if (code === 4401 && !(await refresh())) return; // session over: the app shows the login form
    this.timer = setTimeout(() => this.open(), code === 4401 ? 0 : backoffMs(this.attempt++));
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    this.onStatus(connected);
  }
}
