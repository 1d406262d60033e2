"""accounting (003) as the sandbox serves it: numbered pages, an empty page after a full one."""

import sandbox
from sandbox.tests.support import session, walk_numbered, flat


def test_accounting_page_numbers():
    with sandbox.start(records=200, seed=5) as s:
        sess = session(s, "accounting")
        for path, key, stream in [("/v1/bank_transactions", "BankTransactions", "bank_transactions"),
                                  ("/v1/contacts", "Contacts", "contacts")]:
            pages = walk_numbered(sess, s.base_url("accounting") + path, lambda b: b[key], 100)
            assert [len(p) for p in pages] == [100, 100, 0]  # multiple of page size: empty page ends it
            assert flat(pages) == s.truth("accounting", stream)
        pages = walk_numbered(sess, s.base_url("accounting") + "/v1/contacts", lambda b: b["Contacts"], 30)
        assert [len(p) for p in pages] == [30] * 6 + [20]
        assert sess.get(s.base_url("accounting") + "/v1/contacts", params={"page": 0}).status_code == 400
