import { bad, intParam, type RouteContext, type RouteResult } from "./http-error.js";
import type { FakeStore, FakeTemplate } from "./store.js";

/** Email template endpoints with the documented validation messages. */
export class TemplateRoutes {
  constructor(
    private readonly store: FakeStore,
    private readonly knownTags: readonly string[] | undefined,
  ) {}

  private checkFields(b: Record<string, unknown>): void {
    if (b.tags !== undefined) {
      if (!Array.isArray(b.tags)) throw bad("Tags must be an array");
      if (!b.tags.every((t) => typeof t === "string")) throw bad("All tags must be strings");
      if (this.knownTags && !b.tags.every((t) => this.knownTags?.includes(t)))
        throw bad("Some tags could not be found");
    }
    if (b.should_inline_css !== undefined && typeof b.should_inline_css !== "boolean") {
      throw bad("Invalid value for `should_inline_css`. One of `true` or `false` was expected");
    }
  }

  /** POST /templates/email/create. */
  create(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    if (!b.template_name) throw bad("Template name is required");
    if (!b.subject) throw bad("Subject is required");
    if (!b.body) throw bad("Body is required");
    this.checkFields(b);
    const id = this.store.newId();
    const iso = new Date(ctx.now).toISOString();
    this.store.templates.set(id, {
      email_template_id: id,
      template_name: b.template_name,
      subject: b.subject,
      body: b.body,
      plaintext_body: b.plaintext_body,
      preheader: b.preheader,
      tags: b.tags ?? [],
      should_inline_css: b.should_inline_css,
      created_at: iso,
      updated_at: iso,
      updatedAtMs: ctx.now,
    });
    return { status: 201, body: { email_template_id: id, message: "success" } };
  }

  /** POST /templates/email/update. */
  update(ctx: RouteContext): RouteResult {
    const b = ctx.body ?? {};
    if (!b.email_template_id) throw bad("email_template_id is required");
    const t = this.store.templates.get(b.email_template_id);
    if (!t) throw bad("Invalid email_template_id");
    const fields = [
      "template_name",
      "subject",
      "body",
      "plaintext_body",
      "preheader",
      "tags",
      "should_inline_css",
    ] as const;
    if (!fields.some((f) => b[f] !== undefined)) throw bad("At least one field to update is required");
    this.checkFields(b);
    const target = t as unknown as Record<string, unknown>;
    for (const f of fields) if (b[f] !== undefined) target[f] = b[f];
    t.updated_at = new Date(ctx.now).toISOString();
    t.updatedAtMs = ctx.now;
    return { status: 201, body: { message: "success" } };
  }

  /** GET /templates/email/info. */
  info(ctx: RouteContext): RouteResult {
    const id = ctx.query.get("email_template_id");
    if (!id) throw bad("email_template_id is required");
    const t = this.store.templates.get(id);
    if (!t) throw bad("Invalid email_template_id");
    const { updatedAtMs: _, ...rest } = t;
    return { status: 200, body: { ...rest, description: "", message: "success" } };
  }

  /** GET /templates/email/list: limit ≤ 1000, offset, modified_after/before. */
  list(ctx: RouteContext): RouteResult {
    const q = ctx.query;
    const limit = intParam(q, "limit", 1, 1000, 100);
    const offset = intParam(q, "offset", 0, 10_000_000, 0);
    const after = q.get("modified_after");
    const before = q.get("modified_before");
    let rows: FakeTemplate[] = [...this.store.templates.values()];
    if (after) rows = rows.filter((t) => t.updatedAtMs >= Date.parse(after));
    if (before) rows = rows.filter((t) => t.updatedAtMs <= Date.parse(before));
    const pageRows = rows.slice(offset, offset + limit);
    return {
      status: 200,
      body: {
        count: pageRows.length,
        templates: pageRows.map((t) => ({
          email_template_id: t.email_template_id,
          template_name: t.template_name,
          created_at: t.created_at,
          updated_at: t.updated_at,
          tags: t.tags,
        })),
      },
    };
  }
}
