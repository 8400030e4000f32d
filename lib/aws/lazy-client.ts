/**
 * An AWS client made on its first call, its SDK module loaded only then. The probe function keeps
 * the SDK out of its start-up this way: a run of healthy checks loads DynamoDB's client and nothing
 * else, and SNS, CloudWatch, Secrets Manager or SSM are loaded by the run that first needs them.
 */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's `send` is overloaded per command; callers keep its type.
type Sender = { send(...args: any[]): Promise<any> };

export function lazyClient<C extends Sender>(make: () => Promise<C>): Pick<C, "send"> {
  let client: Promise<C> | undefined;
  const send = (...args: unknown[]) => {
    // A module that failed to load is tried again by the next call, not remembered as failed.
    client ??= make().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client.then((loaded) => loaded.send(...args));
  };
  return { send } as Pick<C, "send">;
}
