"""The instrument classifier is a scikit-learn estimator over (text, measure) pairs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline.classify.instruments import InstrumentClassifier, instrument_specs, predict_instrument_proba

SPECS = (
    ("sanctions", "restrictive measures against a state or person", ("sanction", "asset freeze")),
    ("financial_aid", "money given to help", ("aid", "grant")),
)
UNITS = [
    ("the eu should impose sanctions on officials", "impose sanctions on officials"),
    ("freeze the assets and sanction the regime", "sanction the regime"),
    ("donors should give aid to independent media", "give aid to independent media"),
    ("provide grants to civil society", "provide grants"),
    ("extend sanctions and aid the opposition", "extend sanctions"),
    ("offer a grant for exiled students", "offer a grant"),
]
LABELS = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 1]])

# scikit-learn's generic checks feed numeric arrays (n, d) as X or a 1-D y:
# they cannot apply to an estimator whose X is (text, measure) string pairs
# and whose y is a (units, instruments) indicator matrix. The checks of the
# estimator API itself (construction, parameters, cloning, tags, refusing to
# predict unfitted) do apply and must pass.
_NUMERIC_X = "feeds a numeric (n, d) array as X; this estimator reads (text, measure) string pairs"
_ONE_D_Y = "fits with a 1-D y; this estimator's y has one 0/1 column per instrument of `instruments`"
NOT_FOR_TEXT = {
    **dict.fromkeys((
        "check_fit_score_takes_y", "check_dont_overwrite_parameters", "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_complex_data",
        "check_dtype_object", "check_pipeline_consistency", "check_estimators_nan_inf",
        "check_estimator_sparse_tag", "check_estimator_sparse_array", "check_estimator_sparse_matrix",
        "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_supervised_y_2d",
        "check_non_transformer_estimators_n_iter", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
        "check_fit2d_predict1d", "check_estimators_empty_data_messages", "check_requires_y_none",
        "check_classifiers_multilabel_output_format_decision_function",
        "check_classifiers_multilabel_output_format_predict",
        "check_classifiers_multilabel_output_format_predict_proba",
        "check_classifiers_multilabel_representation_invariance", "check_classifier_multioutput",
    ), _NUMERIC_X),
    **dict.fromkeys((
        "check_estimators_overwrite_params", "check_estimators_fit_returns_self", "check_readonly_memmap_input",
        "check_classifier_data_not_an_array", "check_classifiers_one_label", "check_classifiers_classes",
        "check_classifiers_train", "check_classifiers_regression_target", "check_fit_idempotent",
        "check_fit_check_is_fitted", "check_n_features_in",
    ), _ONE_D_Y),
}


@parametrize_with_checks(
    [InstrumentClassifier(SPECS, c=0.3, max_iter=5000, random_state=0)],
    expected_failed_checks=lambda estimator: NOT_FOR_TEXT,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def fitted() -> InstrumentClassifier:
    return InstrumentClassifier(SPECS, c=0.3, max_iter=5000, random_state=0).fit(UNITS, LABELS)


def test_fit_returns_self_with_classes_in_instrument_order():
    model = InstrumentClassifier(SPECS, c=0.3, max_iter=5000, random_state=0)
    assert model.fit(UNITS, LABELS) is model
    assert list(model.classes_) == ["sanctions", "financial_aid"]
    assert set(model.get_params()) == {"instruments", "c", "max_iter", "random_state"}


def test_fit_is_idempotent_and_a_clone_predicts_the_same():
    model = fitted()
    again = clone(model).fit(UNITS, LABELS)
    assert np.array_equal(model.predict_proba(UNITS), again.predict_proba(UNITS))
    assert np.array_equal(model.predict_proba(UNITS), model.fit(UNITS, LABELS).predict_proba(UNITS))


def test_predict_proba_scores_each_instrument_and_predict_thresholds_it():
    model = fitted()
    probabilities = model.predict_proba([("impose sanctions on the regime", "impose sanctions")])
    assert probabilities.shape == (1, 2) and probabilities[0, 0] > probabilities[0, 1]
    assert model.predict([("impose sanctions on the regime", "impose sanctions")]).tolist() == [[1, 0]]
    assert model.predict_proba([]).shape == (0, 2)


def test_wrong_shapes_say_what_was_expected():
    model = InstrumentClassifier(SPECS)
    with pytest.raises(ValueError, match=r"expected y of shape \(n_units, n_instruments\) = \(6, 2\)"):
        model.fit(UNITS, LABELS[:, 0])
    with pytest.raises(ValueError, match=r"expected X of shape \(n_units, 2\)"):
        model.fit([["a", "b", "c"]], [[1, 0]])
    with pytest.raises(ValueError, match="got no instruments"):
        InstrumentClassifier().fit(UNITS, LABELS)


def test_saved_with_skops_and_loaded_through_the_allow_list(tmp_path):
    import skops.io as sio

    from pipeline.models import _load_skops

    model = fitted()
    (tmp_path / "instruments.skops").write_bytes(sio.dumps(model))
    loaded = _load_skops(tmp_path / "instruments.skops")
    assert isinstance(loaded, InstrumentClassifier)
    assert np.array_equal(loaded.predict_proba(UNITS), model.predict_proba(UNITS))


def test_predictions_read_the_seed_terms_of_the_taxonomy_in_use(config):
    """The taxonomy's terms at prediction time feed the lexicon features, as before the estimator."""
    import dataclasses

    ids = list(config.instruments.ids)
    units = [("the eu should impose sanctions on officials", "impose sanctions on officials")] * len(ids)
    model = InstrumentClassifier(instrument_specs(config.instruments), c=0.3, max_iter=5000, random_state=0)
    model.fit(units, np.eye(len(ids), dtype=int))
    sanctions = config.instruments.instruments["sanctions"]
    edited = dataclasses.replace(
        config.instruments,
        instruments={**config.instruments.instruments, "sanctions": dataclasses.replace(sanctions, terms=("embargo",))},
    )
    texts, measures = ["impose sanctions now"], ["impose sanctions"]
    before = predict_instrument_proba(model, texts, measures, config.instruments)
    after = predict_instrument_proba(model, texts, measures, edited)
    assert not np.allclose(before, after)
    assert model.instruments == instrument_specs(config.instruments)  # the shared model is left as it was
