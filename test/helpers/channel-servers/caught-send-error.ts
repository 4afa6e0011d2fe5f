import { ChannelSendError } from '../../../src/channels';

/** Awaits a send that must fail, and returns its `ChannelSendError` for assertions. */
export async function caughtSendError(promise: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelSendError);
    return err as ChannelSendError;
  }
  throw new Error('expected the send to fail');
}
