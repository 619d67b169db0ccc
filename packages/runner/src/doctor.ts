// `kairos doctor`: is everything in place to run this use case? Checks the environment, the state
// directory, and the API key's permissions with harmless calls only (reads of lists, details and one
// export of a probe id); it never sends a message or writes a profile. It also reads each target's
// creative and checks that every trigger property its Liquid reads is one Kairos sends.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import {
  BrazeAuthError,
  BrazeClient,
  BrazeError,
  BrazePermissionError,
  DECISION_ID_PROPERTY,
} from "@kairos/braze-adapter";
import { ValidationError } from "@kairos/core";
import { type BrazeCredentials, brazeCredentials } from "./credentials.js";
import { seriesTargets } from "./data-series/targets.js";
import { sendAction, type UseCase } from "./use-case/compile.js";

/** The outcome of one check. */
export interface DoctorCheck {
  name: string;
  /** "ok", "fail" (blocks `kairos day`), "warn" (works, but look), "skip" (not checkable harmlessly). */
  status: "ok" | "fail" | "warn" | "skip";
  detail: string;
}

/** Runs every check; Braze checks go through `client` when given (tests), else one built from the environment. */
export async function doctor(
  useCase: UseCase,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
  client?: BrazeClient,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [{ name: "use-case file", status: "ok", detail: `${useCase.id}: valid` }];
  checks.push(checkStateDir(stateDir));
  checks.push(...checkLocalInputs(useCase));
  let creds: BrazeCredentials | undefined;
  try {
    creds = brazeCredentials(env);
    checks.push({
      name: "credentials",
      status: "ok",
      detail: `BRAZE_REST_ENDPOINT ${creds.baseUrl}, BRAZE_API_KEY set`,
    });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    checks.push({ name: "credentials", status: "fail", detail: e.message });
    if (!client) return checks;
  }
  const braze =
    client ?? new BrazeClient({ baseUrl: creds!.baseUrl, apiKey: creds!.apiKey, retry: { maxRetries: 1 } });
  try {
    checks.push(...(await checkBraze(useCase, braze)));
  } finally {
    if (!client) await braze.close();
  }
  return checks;
}

function checkStateDir(dir: string): DoctorCheck {
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { name: "state directory", status: "ok", detail: `${dir} is writable` };
  } catch (e) {
    return { name: "state directory", status: "fail", detail: `${dir}: ${(e as Error).message}` };
  }
}

function checkLocalInputs(useCase: UseCase): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const a = useCase.file.audience;
  if ("file" in a) {
    const path = resolve(useCase.baseDir, a.file);
    out.push(
      existsSync(path)
        ? { name: "audience file", status: "ok", detail: path }
        : { name: "audience file", status: "fail", detail: `${path}: no such file` },
    );
  }
  if (useCase.file.outcomes) {
    const path = resolve(useCase.baseDir, useCase.file.outcomes.folder);
    out.push(
      existsSync(path)
        ? { name: "outcomes folder", status: "ok", detail: path }
        : {
            name: "outcomes folder",
            status: "warn",
            detail: `${path}: no such folder yet (no outcome will be learned)`,
          },
    );
  } else
    out.push({ name: "outcomes folder", status: "warn", detail: "none declared: Kairos will not learn" });
  return out;
}

/** One harmless call per permission; 403 means the permission is missing. */
async function probe(
  name: string,
  permission: string,
  required: boolean,
  call: () => Promise<string | { status: DoctorCheck["status"]; detail: string }>,
): Promise<DoctorCheck> {
  try {
    const result = await call();
    const { status, detail } =
      typeof result === "string" ? { status: "ok" as const, detail: result } : result;
    return { name, status, detail: `${permission}: ${detail}` };
  } catch (e) {
    if (e instanceof BrazePermissionError)
      return { name, status: required ? "fail" : "warn", detail: `${permission}: permission missing (403)` };
    if (e instanceof BrazeError)
      return { name, status: required ? "fail" : "warn", detail: `${permission}: ${e.message}` };
    throw e;
  }
}

/** Names of trigger properties read by Liquid in a text (api_trigger_properties, context, canvas_entry_properties). */
export function liquidProperties(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(
    /\{\{\s*(?:api_trigger_properties|context|canvas_entry_properties)\.\$\{([A-Za-z0-9_]+)\}/g,
  ))
    out.add(m[1]!);
  return [...out];
}

async function checkBraze(useCase: UseCase, braze: BrazeClient): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  // A wrong key or instance answers 401 to everything: say so once.
  try {
    for await (const _ of braze.campaigns.list()) break;
    checks.push({ name: "authentication", status: "ok", detail: "the key is accepted by this instance" });
  } catch (e) {
    if (e instanceof BrazeAuthError) {
      checks.push({
        name: "authentication",
        status: "fail",
        detail: "401: wrong key, or the key of another instance (check BRAZE_REST_ENDPOINT)",
      });
      return checks;
    }
    if (!(e instanceof BrazePermissionError)) throw e;
    checks.push({
      name: "campaigns.list",
      status: "warn",
      detail: "campaigns.list: permission missing (403)",
    });
  }
  // Properties every decision carries, option by option: what the creative may read.
  const sent = new Set<string>([DECISION_ID_PROPERTY]);
  const routing = new Set([useCase.mapping.targetDimension, useCase.mapping.timing?.hourDimension]);
  for (const d of useCase.space.dimensions) if (!routing.has(d)) sent.add(d);
  for (const byOption of Object.values(useCase.file.liquid))
    for (const props of Object.values(byOption)) for (const p of Object.keys(props)) sent.add(p);
  const example = sendAction(
    useCase,
    Object.fromEntries(useCase.space.dimensions.map((d, k) => [d, useCase.space.options[k]![0]!])),
  );
  const kinds = new Set(Object.values(useCase.mapping.targets).map((t) => t.kind));
  for (const [option, target] of Object.entries(useCase.mapping.targets)) {
    if (target.kind === "campaign") {
      checks.push(
        await probe(`campaign ${target.campaignId} (${option})`, "campaigns.details", false, async () => {
          const details = await braze.campaigns.details(target.campaignId);
          const texts = Object.values(details.messages).flatMap((m) => [m.subject ?? "", m.body ?? ""]);
          return liquidCheck(details.name, texts, sent);
        }),
      );
    } else if (target.kind === "canvas") {
      checks.push(
        await probe(`canvas ${target.canvasId} (${option})`, "canvas.details", false, async () => {
          const details = await braze.canvas.details(target.canvasId);
          const texts = details.steps.flatMap((s) =>
            Object.values(s.messages ?? {}).flatMap((m) => [m.subject ?? "", m.body ?? ""]),
          );
          return liquidCheck(details.name, texts, sent);
        }),
      );
    }
  }
  for (const target of seriesTargets(useCase)) {
    const permission = `${target.source === "campaign" ? "campaigns" : "canvas"}.data_series`;
    checks.push(
      await probe(`data_series ${target.label}`, permission, false, async () => {
        const range = { days: 1 };
        if (target.source === "campaign") await braze.campaigns.dataSeries(target.id, range);
        else await braze.canvas.dataSeries(target.id, range);
        return "Braze's daily counts can be reconciled with Kairos' (recommended)";
      }),
    );
  }
  checks.push(
    await probe("reconciliation", "users.export.ids", true, async () => {
      await braze.users.exportIds({
        external_ids: ["kairos-doctor-probe"],
        fields_to_export: ["external_id"],
      });
      return "can settle sends whose outcome was unknown";
    }),
  );
  const audience = useCase.file.audience;
  if ("segment" in audience) {
    checks.push(
      await probe(`segment ${audience.segment.id}`, "segments.details", false, async () => {
        const d = await braze.segments.details(audience.segment.id);
        return `"${d.name}"`;
      }),
    );
    checks.push({
      name: "segment export",
      status: "skip",
      detail:
        "users.export.segment: not called (an export is not harmless); `kairos day --dry-run` exercises it",
    });
  }
  for (const kind of kinds)
    checks.push({
      name: `${kind} sends`,
      status: "skip",
      detail: `${kind === "campaign" ? "campaigns" : "canvas"}.trigger.send: cannot be checked without sending; a 401/403 on the first send stops the run with every decision still queued`,
    });
  checks.push({ name: "example properties", status: "ok", detail: JSON.stringify(example) });
  return checks;
}

/** A creative reading a property Kairos does not send would render it empty: that blocks the run. */
function liquidCheck(
  name: string,
  texts: string[],
  sent: Set<string>,
): { status: DoctorCheck["status"]; detail: string } {
  const read = [...new Set(texts.flatMap(liquidProperties))];
  const missing = read.filter((p) => !sent.has(p));
  if (missing.length > 0)
    return { status: "fail", detail: `"${name}" reads ${missing.join(", ")}, not sent by Kairos` };
  return { status: "ok", detail: `"${name}" reads ${read.length ? read.join(", ") : "no trigger property"}` };
}
