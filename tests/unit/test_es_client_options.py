"""The search URL of an Elasticsearch cluster: every node, the index prefix, replicas, timeouts, retries."""

import pytest

from search.elasticsearch_client import MAX_RETRIES, REQUEST_TIMEOUT, ClientOptions
from search.elasticsearch_index import SETTINGS, ElasticsearchIndex


def test_a_single_node_url_keeps_its_meaning_with_the_chosen_defaults():
    o = ClientOptions.from_url("http://es:9200?prefix=xyz")
    assert o == ClientOptions(("http://es:9200",), prefix="xyz")
    assert (o.request_timeout, o.max_retries, o.replicas) == (REQUEST_TIMEOUT, MAX_RETRIES, None)


def test_several_nodes_comma_separated_bare_ones_take_the_first_scheme():
    o = ClientOptions.from_url("https://u:p@es1:9200,es2:9201,https://es3:9202?prefix=a&replicas=2&timeout=4&retries=5")
    assert o.nodes == ("https://u:p@es1:9200", "https://es2:9201", "https://es3:9202")
    assert (o.prefix, o.replicas, o.request_timeout, o.max_retries) == ("a", 2, 4.0, 5)


def test_replicas_follow_the_data_nodes_unless_fixed():
    assert ElasticsearchIndex.from_url("http://es:9200")._index_settings() == SETTINGS
    assert SETTINGS["auto_expand_replicas"] == "0-1"  # min(1, data nodes - 1)
    fixed = ElasticsearchIndex.from_url("http://a:9200,http://b:9200?replicas=0")._index_settings()
    assert fixed == {"number_of_shards": 1, "number_of_replicas": 0}


def test_a_url_without_a_node_is_refused():
    with pytest.raises(ValueError):
        ClientOptions.from_url("?prefix=x")


def test_the_adapter_built_from_a_node_list_string_knows_every_node():
    ix = ElasticsearchIndex("http://127.0.0.1:9200,127.0.0.1:9201", prefix="t")
    assert ix.nodes == ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
