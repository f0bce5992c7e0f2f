import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestCertificates {
  dir: string
  /** PEM of the private CA that signed the broker's and the trusted client's certificates (kafka.sslCa) */
  ca: string
  /** PKCS12 keystore of the broker: its key and a certificate for IP:127.0.0.1 signed by the CA */
  brokerKeystore: string
  password: string
  /** PEM certificate and key of a client the CA signed (kafka.sslCert / kafka.sslKey) */
  client: { cert: string; key: string }
  /** PEM certificate (self-signed) and key of a client no one trusts */
  untrusted: { cert: string; key: string }
  remove(): Promise<void>
}

const PASSWORD = 'bifrost-test-store'

/**
 * A private CA and the certificates a TLS test needs, made the way an operator
 * would: the JDK's keytool for the CA and the broker's keystore (SAN IP:127.0.0.1,
 * valid two days), and openssl for the client keys, which must be PEM files and
 * which keytool cannot write. Independent steps run together: each keytool is a JVM start.
 */
export const makeTestCertificates = async (): Promise<TestCertificates> => {
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-tls-'))
  const at = (name: string) => join(dir, name)
  const keytool = (...args: string[]) =>
    run('keytool', [...args, '-storetype', 'PKCS12', '-storepass', PASSWORD, '-keypass', PASSWORD, '-noprompt'])
  const openssl = (...args: string[]) => run('openssl', args)
  const keyPair = (alias: string, dname: string, store: string, ...ext: string[]) =>
    keytool(
      '-genkeypair',
      '-alias',
      alias,
      '-keyalg',
      'EC',
      '-dname',
      dname,
      '-validity',
      '2',
      '-keystore',
      store,
      ...ext,
    )
  const sign = (csr: string, out: string, ...ext: string[]) =>
    keytool(
      '-gencert',
      '-alias',
      'ca',
      '-keystore',
      at('ca.p12'),
      '-infile',
      csr,
      '-outfile',
      out,
      '-rfc',
      '-validity',
      '2',
      ...ext,
    )
  const clientCsr = (name: string, cn: string) =>
    openssl(
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.csr`),
    )

  await Promise.all([
    keyPair('ca', 'CN=Bifrost Test CA', at('ca.p12'), '-ext', 'bc:c'),
    keyPair('broker', 'CN=127.0.0.1', at('broker.p12')),
    clientCsr('client', 'bifrost-client'),
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=untrusted-client',
      '-keyout',
      at('untrusted.key'),
      '-out',
      at('untrusted.pem'),
    ),
  ])
  await Promise.all([
    keytool('-exportcert', '-rfc', '-alias', 'ca', '-keystore', at('ca.p12'), '-file', at('ca.pem')),
    keytool('-certreq', '-alias', 'broker', '-keystore', at('broker.p12'), '-file', at('broker.csr')),
  ])
  await Promise.all([
    sign(at('broker.csr'), at('broker.pem'), '-ext', 'SAN=IP:127.0.0.1'),
    sign(at('client.csr'), at('client.pem')),
  ])
  // The signed certificate followed by the CA's: keytool installs a reply only with its whole chain.
  await writeFile(
    at('broker-chain.pem'),
    (await readFile(at('broker.pem'), 'utf8')) + (await readFile(at('ca.pem'), 'utf8')),
  )
  await keytool('-importcert', '-alias', 'broker', '-keystore', at('broker.p12'), '-file', at('broker-chain.pem'))
  return {
    dir,
    ca: at('ca.pem'),
    brokerKeystore: at('broker.p12'),
    password: PASSWORD,
    client: { cert: at('client.pem'), key: at('client.key') },
    untrusted: { cert: at('untrusted.pem'), key: at('untrusted.key') },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
