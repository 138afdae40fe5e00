// URLs from a metadata document that may be shown as links or fetched: https only.
// CIMD-02 §8.6: only fetch or parse URLs with known and supported URI schemes (a javascript:
// client_uri rendered as a link would run in the consent page).

const MAX_DOCUMENT_URL_LENGTH = 2048;

export function isHttpsUrl(value: unknown): value is string {
  if (typeof value !== "string" || value.length > MAX_DOCUMENT_URL_LENGTH) return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
