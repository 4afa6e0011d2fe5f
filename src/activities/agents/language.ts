/** Picks the reply text in the customer's language; English when the language has no text. */
export function inLanguage(language: string, texts: { en: string; es: string }): string {
  return language === 'es' ? texts.es : texts.en;
}

export function firstName(senderName: string | undefined): string {
  const name = senderName?.trim().split(/\s+/)[0];
  return name ? ` ${name}` : '';
}
