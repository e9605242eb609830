// ESM entry: the same objects as the CommonJS entry (index.js).
import plasmite from "./index.js";

export const {
  Client,
  Pool,
  Stream,
  Lite3Stream,
  UdpClient,
  UdpPool,
  UdpFollow,
  UdpStart,
  Message,
  DEFAULT_POOL_DIR,
  DEFAULT_POOL_SIZE,
  DEFAULT_POOL_SIZE_BYTES,
  Durability,
  ErrorKind,
  PlasmiteNativeError,
  RemoteClient,
  RemoteError,
  RemotePool,
  parseMessage,
  replay,
} = plasmite;
export default plasmite;
