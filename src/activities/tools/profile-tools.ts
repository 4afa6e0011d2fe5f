import { z } from 'zod';
import type { Customer } from '../../persistence/entities/customer.entity';
import { applyProfileChanges, profileUpdatedText, readProfile, type ProfileChange, type ProfileChanges } from '../operations/profiles';
import { noArguments } from './schemas';
import { defineTool, distinct, done, evidence, failed } from './tool';

/**
 * The personalization agent's tools: the chat's own profile, read and changed. Opting out
 * and asking for the data to be deleted take effect at once, as in rule mode.
 */

function profileView(customer: Customer | null) {
  return {
    name: customer?.name ?? null,
    email: customer?.email ?? null,
    phone: customer?.phone ?? null,
    language: customer?.language ?? null,
    marketing_opt_in: !(customer?.optedOut ?? false),
    data_deletion_requested: Boolean(customer?.deletionRequestedAt),
  };
}

const readProfileTool = defineTool({
  name: 'read_profile',
  description: "The chat's customer profile: name, email, phone, language, whether they accept follow-up and marketing messages, and whether they asked for their data to be deleted.",
  schema: noArguments,
  effect: false,
  describe: () => 'this chat',
  async run(_args, ctx) {
    const view = profileView(await readProfile(ctx.db, ctx.chatId));
    return done({ profile: view }, { effect: false, evidence: evidence({ references: distinct([view.email, view.phone]) }) });
  },
});

const updateProfileSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional().describe('The name to use for the customer'),
    email: z.email('expected an email address').max(256).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s().-]{7,24}$/, 'expected a phone number such as +34 600 111 222')
      .optional(),
    language: z.enum(['en', 'es']).optional().describe('The language to write to the customer in'),
    marketing_opt_in: z.boolean().optional().describe('false: no more follow-up or marketing messages; true: receive them again'),
    request_data_deletion: z.literal(true).optional().describe('The customer asked for their data to be deleted (also stops marketing messages)'),
  })
  .refine((a) => Object.values(a).some((v) => v !== undefined), 'give at least one field to change');

const updateProfile = defineTool({
  name: 'update_profile',
  description: "Changes the chat's customer profile: name, email, phone, language, consent to follow-up and marketing messages, or a request to delete their data. Only the fields given change.",
  schema: updateProfileSchema,
  effect: true,
  describe: (a) => Object.entries(a).filter(([, v]) => v !== undefined).map(([k]) => k).join(', '),
  async run(args, ctx) {
    const existing = await readProfile(ctx.db, ctx.chatId);
    if (args.marketing_opt_in === true && (existing?.deletionRequestedAt || args.request_data_deletion)) {
      return failed('the customer asked for their data to be deleted: they cannot opt in to marketing messages');
    }
    const changes: ProfileChanges = {};
    const changed: ProfileChange[] = [];
    if (args.request_data_deletion) {
      changes.deletionRequestedAt = existing?.deletionRequestedAt ?? new Date(ctx.receivedAt);
      changes.optedOut = true;
      changed.push('deletion_requested');
    } else if (args.marketing_opt_in !== undefined) {
      changes.optedOut = !args.marketing_opt_in;
      changed.push(args.marketing_opt_in ? 'opted_in' : 'opted_out');
    }
    if (args.email) {
      changes.email = args.email;
      changed.push('email');
    }
    if (args.phone) {
      changes.phone = args.phone.replace(/[\s().-]/g, '');
      changed.push('phone');
    }
    if (args.name) {
      changes.name = args.name;
      changed.push('name');
    }
    if (args.language) {
      changes.language = args.language;
      changed.push('language');
    }
    await applyProfileChanges(ctx.db, ctx.chatId, existing, changes);
    const view = profileView(await readProfile(ctx.db, ctx.chatId));
    return done(
      { updated: changed, profile: view },
      {
        effect: true,
        evidence: evidence({ references: distinct([changes.email, changes.phone]) }),
        facts: { updated: changed },
        confirmation: profileUpdatedText(ctx.language, changed),
        detail: changed.join(', '),
      },
    );
  },
});

export const PROFILE_TOOLS = [readProfileTool, updateProfile];
