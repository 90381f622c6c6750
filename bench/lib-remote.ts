// The remote rows' "network": a throwaway sshd on 127.0.0.1 (test/e2e/sshd.ts: fresh host and
// client keys in a temp dir) and, for the per-stream-limited row, the WAN relay (bench/relay.ts)
// in front of it, as its own process so its work is not the harness's.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startSshLab, type SshLab } from "../test/e2e/sshd.ts";
import { BENCH_DIR } from "./lib-util.ts";

export interface WanShape {
  /** One-way delay per chunk (RTT = 2 ×). */
  delayMs: number;
  /** Per-connection rate, e.g. "20M" (bytes/s, 1024-based). */
  rate: string;
}

export interface Remote {
  host: string;
  /** ssh straight to the loopback sshd. */
  rsh: string;
  /** ssh through the relay (undefined until startWan). */
  wanRsh?: string;
  sshdPort: number;
  relayPort?: number;
  shape?: WanShape;
  close(): void;
}

export async function startRemote(): Promise<Remote> {
  const lab: SshLab = await startSshLab(["127.0.0.1"]);
  return {
    host: "127.0.0.1",
    rsh: lab.rsh,
    sshdPort: lab.port,
    close() {
      lab.cleanup();
    },
  };
}

/** Starts the relay in front of the sshd; sets wanRsh (the same ssh, to the relay's port). */
export function startWan(remote: Remote, shape: WanShape): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, "relay.ts"), "--target", String(remote.sshdPort), "--delay-ms", String(shape.delayMs), "--rate", shape.rate], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m && !remote.relayPort) {
        remote.relayPort = Number(m[1]);
        remote.shape = shape;
        remote.wanRsh = remote.rsh.replace(/ -p \d+ /, ` -p ${m[1]} `);
        const close = remote.close;
        remote.close = () => {
          child.kill("SIGTERM");
          close();
        };
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`relay exited (${code}) before listening`)));
  });
}
