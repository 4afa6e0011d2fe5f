export { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, isEncrypted } from './aes-gcm-codec';
export { dataConverterFor, ENCRYPTED_FAILURE_CONVERTER_PATH, lenientDataConverterFor, payloadCodecFor } from './data-converter';
export { EncryptionKeysError, parseEncryptionKeys, type EncryptionKey } from '../config/encryption-keys';
export { chatReferenceFor, plainChatReference, type ChatReference } from './chat-ref';
