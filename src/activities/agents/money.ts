/** "$129.00" / "129,00 US$" for a price in cents. */
export function formatMoney(cents: number, currency: string, language: string): string {
  return new Intl.NumberFormat(language === 'es' ? 'es-ES' : 'en-US', { style: 'currency', currency }).format(cents / 100);
}
