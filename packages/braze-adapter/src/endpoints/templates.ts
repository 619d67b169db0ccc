import { LIMITS } from "../batching.js";
import type { BrazeTransport } from "../client/http.js";
import type { CallOptions } from "../client/options.js";
import { BrazeValidationError } from "../errors.js";
import {
  envelopeSchema,
  type TemplateInfo,
  type TemplateListItem,
  templateCreateSchema,
  templateInfoSchema,
  templateListSchema,
} from "./schemas.js";
import type { TemplateCreateRequest, TemplateListQuery, TemplateUpdateRequest } from "./types.js";

const fail = (endpoint: string, message: string) => new BrazeValidationError(message, { endpoint });

/** Email template endpoints. */
export class TemplatesApi {
  constructor(private readonly t: BrazeTransport) {}

  /** POST /templates/email/create; returns the new template id. Not retried after an ambiguous failure (would duplicate). */
  async create(body: TemplateCreateRequest, opts: CallOptions = {}): Promise<string> {
    const path = "/templates/email/create";
    if (!body.template_name) throw fail(path, "Template name is required");
    if (!body.subject) throw fail(path, "subject is required");
    if (!body.body) throw fail(path, "body is required");
    const res = await this.t.call(
      {
        method: "POST",
        path,
        body,
        schema: templateCreateSchema,
        retry: "unsafe",
        mutates: true,
        dryRunResponse: () => ({ message: "success", email_template_id: "dry-run-template" }),
      },
      opts,
    );
    return res.email_template_id;
  }

  /** POST /templates/email/update: sets the given fields (safe to repeat). */
  async update(body: TemplateUpdateRequest, opts: CallOptions = {}): Promise<void> {
    const path = "/templates/email/update";
    if (!body.email_template_id) throw fail(path, "email_template_id is required");
    if (Object.keys(body).filter((k) => k !== "email_template_id").length === 0) {
      throw fail(path, "give at least one field to update");
    }
    await this.t.call(
      { method: "POST", path, body, schema: envelopeSchema, retry: "idempotent", mutates: true },
      opts,
    );
  }

  /** GET /templates/email/info (drag-and-drop templates are not returned by Braze). */
  info(emailTemplateId: string, opts: CallOptions = {}): Promise<TemplateInfo> {
    return this.t.call(
      {
        method: "GET",
        path: "/templates/email/info",
        query: { email_template_id: emailTemplateId },
        schema: templateInfoSchema,
        retry: "idempotent",
      },
      opts,
    );
  }

  /** GET /templates/email/list, paged by offset until a short page. */
  async *list(q: TemplateListQuery = {}, opts: CallOptions = {}): AsyncGenerator<TemplateListItem> {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.templatePage) {
      throw fail("/templates/email/list", `limit must be 1–${LIMITS.templatePage}`);
    }
    for (let offset = 0; ; offset += limit) {
      const res = await this.t.call(
        {
          method: "GET",
          path: "/templates/email/list",
          query: { modified_after: q.modified_after, modified_before: q.modified_before, limit, offset },
          schema: templateListSchema,
          retry: "idempotent",
        },
        opts,
      );
      yield* res.templates;
      if (res.templates.length < limit) return;
    }
  }
}
