"""Placeholder until this page is built."""

import streamlit as st

st.title("new_visit")
st.info("This page is being built.")
