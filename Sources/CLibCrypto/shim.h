#ifndef EXHIBIT_CLIBCRYPTO_SHIM_H
#define EXHIBIT_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto, for bulk AES-256-CBC decryption of encrypted iPhone backups
// (Sources/Engine/BackupKeyBag.swift, BackupCipher): swift-crypto's AES._CBC decrypts one block
// per call in Swift (about 4 MB/s in a debug build), libcrypto runs AES-NI over whole chunks.
#include <openssl/evp.h>
#endif
