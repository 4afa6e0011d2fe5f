/** Channels a message can arrive on and be answered through. */
export const CHANNELS = ['whatsapp', 'webchat', 'email', 'api'] as const;

export type Channel = (typeof CHANNELS)[number];

export const DEFAULT_CHANNEL: Channel = 'whatsapp';
