"""The Streamlit app: a router, thin pages over the services, shared components."""
