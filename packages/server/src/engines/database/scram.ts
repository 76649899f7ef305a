import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

const ITERATIONS = 4096;

/**
 * A PostgreSQL SCRAM-SHA-256 verifier for `password_authentication = "scram-sha-256"`: the
 * statements get `SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>` in place of the password, so
 * the plaintext never reaches the server (nor its statement logs). PostgreSQL stores such a value
 * as given. NFKC stands in for SASLprep, which changes nothing for the ASCII passwords policies make.
 */
export async function scramSha256Verifier(password: string): Promise<string> {
  const salt = randomBytes(16);
  // Off the event loop: 4096 rounds take milliseconds, and creds requests come in bursts.
  const salted = await pbkdf2Async(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
