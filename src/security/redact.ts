/** Mask the password of any URL (postgres://u:p@h/db, redis://:p@h). */
export function redactUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** Replace every occurrence of the given secrets in a message (error text from engines, tools). */
export function scrubSecrets(text: string, secrets: (string | undefined | null)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out.replace(/(\w+:\/\/[^:/@\s]*):[^@\s]*@/g, '$1:***@');
}
