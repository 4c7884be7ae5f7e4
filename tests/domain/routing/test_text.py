from app.domain.routing.normalize import MAX_CHARS, normalize


def test_traditional_to_simplified():
    assert normalize("本公司申請簡易註銷") == "本公司申请简易注销"


def test_full_width_to_half_width():
    assert normalize("ＡＥＯ认证１２３,") == "AEO认证123,"


def test_html_and_script_stripped():
    out = normalize("<p>发票<b>开不出</b></p><script>alert('x')</script>&amp;")
    assert "<" not in out and "alert" not in out
    assert "发票" in out and "开不出" in out and out.endswith("&")


def test_whitespace_collapsed():
    assert normalize("  退税 \n\n 没到账\t ") == "退税 没到账"


def test_length_capped():
    assert len(normalize("税" * 100_000)) == MAX_CHARS


def test_pinyin_annotations_dropped():
    assert normalize("各區(qū)人民政府") == "各区人民政府"


def test_tokenizer_keeps_policy_terms(router):
    toks = router.tokenizer.tokens("我们申请的留抵退税还没到账,不动产登记也不能一网通办")
    assert "留抵退税" in toks
    assert "不动产登记" in toks
    assert "一网通办" in toks


def test_tokenizer_is_private():
    import jieba

    from app.domain.routing.tokenize import Tokenizer

    tk = Tokenizer(["桩基先行测试词"])
    assert "桩基先行测试词" in tk.raw("申请桩基先行测试词")
    assert jieba.dt.FREQ.get("桩基先行测试词") is None
