"""The reference for the bulk figures: the least a Python client can do to read tracking `users`.

requests + the standard JSON parser, one keep-alive session, following `links.next` exactly as the connector does,
counting records and nothing else (no validation, no output). Run as a subprocess so it is measured like the
connector:

    python -m bench.rawclient BASE_URL TOKEN_URL CLIENT_ID CLIENT_SECRET
"""

import sys

import requests


def main(argv):
    base_url, token_url, client_id, client_secret = argv
    session = requests.Session()
    token = session.post(token_url, data={"grant_type": "client_credentials", "client_id": client_id,
                                          "client_secret": client_secret}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url, records = f"{base_url}/v1/users", 0
    while url:
        response = session.get(url, headers=headers)
        response.raise_for_status()
        body = response.json()
        records += len(body["data"])
        url = body.get("links", {}).get("next")
    print(records)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
