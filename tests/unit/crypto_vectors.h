/* crypto_vectors.h - published JOSE test vectors, as macros so each test file takes only
 * what it uses. Values are copied from the RFCs named on each one. */
#ifndef QOC_TEST_CRYPTO_VECTORS_H
#define QOC_TEST_CRYPTO_VECTORS_H

/* The payload of RFC 7515 Appendices A.1-A.3, and its base64url form. */
#define RFC7515_PAYLOAD                                                                            \
	"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
#define RFC7515_PAYLOAD_B64                                                                        \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0" \
	"cn"                                                                                       \
	"VlfQ"

/* RFC 7515 Appendix A.2.1: the RSA key (2048 bits). */
#define RFC7515_A2_N                                                                               \
	"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-"                    \
	"4qPCJrcS2mJPMEzP1Pt0Bm4d4"                                                                \
	"QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"                   \
	"bSf63kpaSHSXndS5z5rexMdb"                                                                 \
	"BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_"               \
	"I5IhlJH7aGhyxXFvUK-D"                                                                     \
	"WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
#define RFC7515_A2_JWK                                                                             \
	"{\"kty\":\"RSA\",\"n\":\"" RFC7515_A2_N "\",\"e\":\"AQAB\","                              \
	"\"d\":\"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_"                  \
	"GQ5sLKMgvfTeXZx9SE-7YwV"                                                                  \
	"ol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-"                                         \
	"GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M"                                           \
	"_V51gfpRLI9JYanrC4D4qAdGcopV_"                                                            \
	"0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj"                        \
	"3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ\","                  \
	"\"p\":\"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_"                                               \
	"5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0H"                                     \
	"w_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc\"," \
	"\"q\":\"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-"                                                   \
	"7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7T"                                 \
	"jeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc\"," \
	"\"dp\":\"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_" \
	"PI7Yz-"                                                                                   \
	"FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_"                                              \
	"YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0\","                                           \
	"\"dq\":\"h_96-mK1R_"                                                                      \
	"7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do"             \
	"9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU\"," \
	"\"qi\":\"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-"                                           \
	"DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3yd"                                        \
	"y5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U\"}"
/* RFC 7515 Appendix A.2.1: header {"alg":"RS256"}, the signing input and signature. */
#define RFC7515_A2_SIGNING_INPUT "eyJhbGciOiJSUzI1NiJ9." RFC7515_PAYLOAD_B64
#define RFC7515_A2_SIGNATURE                                                                       \
	"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"    \
	"O8W2Fp5ju"                                                                                \
	"jGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"                                         \
	"nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07"                                           \
	"Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"                                              \
	"eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipU"                                      \
	"TI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
#define RFC7515_A2_JWS RFC7515_A2_SIGNING_INPUT "." RFC7515_A2_SIGNATURE

/* RFC 7515 Appendix A.3.1: the P-256 key (public part) and A.3 JWS, header {"alg":"ES256"}. */
#define RFC7515_A3_PUBLIC_JWK                                                                      \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define RFC7515_A3_JWS                                                                             \
	"eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD_B64                                                \
	".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

/* RFC 8037 Appendix A.1 (private) / A.2 (public) Ed25519 key. */
#define RFC8037_A1_JWK                                                                             \
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_"                                     \
	"9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","                                                  \
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define RFC8037_A2_JWK                                                                             \
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"                              \
	"7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
/* RFC 8037 Appendix A.3: its JWK thumbprint. */
#define RFC8037_A3_THUMBPRINT "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
/* RFC 8037 Appendix A.4: header {"alg":"EdDSA"}, payload "Example of Ed25519 signing". */
#define RFC8037_A4_SIGNING_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC8037_A4_SIGNATURE                                                                       \
	"hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
#define RFC8037_A4_JWS RFC8037_A4_SIGNING_INPUT "." RFC8037_A4_SIGNATURE

/* RFC 7517 Appendix A.1 / RFC 7638 §3.1: the RSA public key "2011-04-29". */
#define RFC7517_RSA_N                                                                              \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"  \
	"BJECPe"                                                                                   \
	"bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"       \
	"FDW2QvzqY368"                                                                             \
	"QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"                    \
	"bFTWhAI4vMQFh6WeZu0fM4lFd"                                                                \
	"2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC7638_JWK                                                                                \
	"{\"kty\":\"RSA\",\"n\":\"" RFC7517_RSA_N "\",\"e\":\"AQAB\",\"alg\":\"RS256\","           \
	"\"kid\":\"2011-04-29\"}"
/* RFC 7638 §3.1: its thumbprint. */
#define RFC7638_THUMBPRINT "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

/* RFC 7517 Appendix A.1: the public EC key. */
#define RFC7517_A1_EC                                                                              \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\"," \
	"\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\",\"use\":\"enc\",\"kid\":\"1\"}"
/* RFC 7517 Appendix A.2: the same keys with their private members. */
#define RFC7517_A2_EC                                                                              \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\"," \
	"\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\","                                   \
	"\"d\":\"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE\",\"use\":\"enc\",\"kid\":\"1\"}"
#define RFC7517_A2_RSA                                                                             \
	"{\"kty\":\"RSA\",\"n\":\"" RFC7517_RSA_N "\",\"e\":\"AQAB\","                             \
	"\"d\":\"X4cTteJY_gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoVH-"                                   \
	"HLLKD9M7dx5oo7GURknchnrRweUkC7hT5fJLM0Wb"                                                 \
	"FAKNLWY2vv7B6NqXSzUvxT0_YSfqijwp3RTzlBaCxWp4doFk5N2o8Gy_"                                 \
	"nHNKroADIkJ46pRUohsXywbReAdYaMwFs9tv8d"                                                   \
	"_cPVY3i07a3t8MN6TNwm0dSawm9v47UiCl3Sk5ZiG7xojPLu4sbg1U2jx4IBTNBznbJSzFHK66jT8bgkuqsk0Gjs" \
	"kDJk19"                                                                                   \
	"Z4qwjwbsnn4j2WBii3RL-Us2lGVkY8fkFzme1z0HbIkfz0Y6mqnOYtqc0X4jfcKoAC8Q\","                  \
	"\"p\":\"83i-7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxtPVnwD20R-"                    \
	"60eTDmD2ujnMt5PoqMrm8RfmN"                                                                \
	"hVWDtjjMmCMjOpSXicFHj7XOuVIYQyqVWlWEh6dN36GVZYk93N8Bc9vY41xy8B9RzzOGVQzXvNEvn7O0nVbfs\"," \
	"\"q\":\"3dfOR9cuYq-0S-"                                                                   \
	"mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgTnCdpYzBcOfW5r370AF"                 \
	"XjiWft_NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ-1kYd_s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxk\"," \
	"\"dp\":\"G4sPXkc6Ya9y8oJW9_ILj4xuppu0lzi_"                                                \
	"H7VTkS8xj5SdX3coE0oimYwxIi2emTAue0UOa5dpgFGyBJ4c8tQ2VF"                                   \
	"402XRugKDTP8akYhFo5tAA77Qe_NmtuYZc3C3m3I24G2GvR5sSDxUyAN2zq8Lfn9EUms6rY3Ob8YeiKkTiBj0\"," \
	"\"dq\":\"s9lAH9fggBsoFR8Oac2R_"                                                           \
	"E2gw282rT2kGOAhvIllETE1efrA6huUUvMfBcMpn8lqeW6vzznYY5SSQF7pMdC_ag"                        \
	"I3nG8Ibp1BUb0JUiraRNqUfLhcQb_d9GF4Dh7e74WbRsobRonujTYN1xCaP6TO61jvWrX-L18txXw494Q_cgk\"," \
	"\"qi\":\"GyM_p6JrXySiz1toFgKbWV-JdI3jQ4ypu9rbMWx3rQJBfmt0FoYzgUIZEVFEcOqwemRN81zoDAaa-"   \
	"Bk0KWNGDj"                                                                                \
	"JHZDdDmFhW3AN7lI-puxk_mHZGJ11rxyR8O55XLSe3SPmRfKwZI6yU24ZxvQKFYItdldUKGzO6Ia6zTKhAVRU\"," \
	"\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}"
/* RFC 7517 Appendix A.3: a symmetric key, which QOC does not sign with. */
#define RFC7517_A3_OCT                                                                             \
	"{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-"                   \
	"1qS0gZH75aKtMN3Yj0iPS4h"                                                                  \
	"cgUuTwjAzZr1Z9CAow\",\"kid\":\"HMAC key used in JWS spec Appendix A.1 example\"}"
/* RFC 7517 Appendix B: an RSA key with an X.509 chain ("x5c" shortened to one placeholder
 * certificate here: import ignores it). */
#define RFC7517_B_RSA                                                                              \
	"{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"1b94c\","                                      \
	"\"n\":\"vrjOfz9Ccdgx5nQudyhdoR17V-IubWMeOZCwX_jj0hgAsz2J_pqYW08PLbK_"                     \
	"PdiVGKPrqzmDIsLI7sA25VEnHU"                                                               \
	"1uCLNwBuUiCO11_-7dYbsr4iJmG0Qu2j8DsVyT1azpJC_"                                            \
	"NG84Ty5KKthuCaPod7iI7w0LK9orSMhBEwwZDCxTWq4aYWAch"                                        \
	"c8t-emd9qOvWtVMDC2BXksRngh6X5bUYLy6AyHKvj-nUy1wgzjYQDwHMTplCoLtU-o-"                      \
	"8SNnZ1tmRoGE9uJkBLdh5gFENab"                                                              \
	"WnU5m1ZqZPdwS-qo-meMvVfJb6jJVWRpl2SUtCnYG2C32qvbWbjZ_jBPD5eunqsIo1vQ\",\"e\":\"AQAB\","   \
	"\"x5c\":[\"MIIDQjCCAiqgAwIBAgIGATz/FuLiMA0GCSqGSIb3DQEBBQUA\"]}"

#endif
